"""A PEP 517 build backend in the standard library only, so the SDK installs offline on any Python >= 3.9.

Why not setuptools: its wheel builds need the separate `wheel` package before setuptools 70.1, and venvs of Python
>= 3.12 have no setuptools at all; neither can be fetched on a machine without internet. This builds a pure-Python
wheel (py3-none-any), an sdist and an editable wheel (PEP 660, a .pth file) from the [project] table of
pyproject.toml and the files of the `ironaspire` package. Nothing else is supported, on purpose.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "ironaspire"


def _project():
    """The [project] table's string values (name, version, description, requires-python, readme)."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    try:
        import tomllib  # Python >= 3.11
    except ImportError:
        # Python 3.9/3.10: the table's `key = "string"` lines are all this backend reads.
        table = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
        return dict(re.findall(r'^([A-Za-z][\w-]*)\s*=\s*"([^"]*)"\s*$', table.group(1) if table else "", re.M))
    return {k: v for k, v in tomllib.loads(text)["project"].items() if isinstance(v, str)}


def _metadata():
    project = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    lines.append("Classifier: Typing :: Typed")
    body = ""
    if project.get("readme"):
        lines.append("Description-Content-Type: text/markdown")
        with open(os.path.join(ROOT, project["readme"]), encoding="utf-8") as f:
            body = "\n" + f.read()
    return project["name"], project["version"], "\n".join(lines) + "\n" + body


def _package_files():
    for folder, dirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py") or name == "py.typed":
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, ROOT).replace(os.sep, "/")


def _write_wheel(directory, contents):
    """contents: [(archive name, bytes)]; adds WHEEL, METADATA and RECORD."""
    name, version, metadata = _metadata()
    dist = f"{name}-{version}"
    info = f"{dist}.dist-info"
    contents = list(contents) + [
        (f"{info}/METADATA", metadata.encode("utf-8")),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: ironaspire_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = []
    for arcname, data in contents:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    contents.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    filename = f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in contents:
            entry = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            wheel.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return filename


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_sdist = get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, metadata = _metadata()
    info = os.path.join(metadata_directory, f"{name}-{version}.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(metadata)
    return os.path.basename(info)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, [(arcname, _read(path)) for path, arcname in _package_files()])


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # The checkout itself goes on sys.path: edits to the package take effect without reinstalling.
    return _write_wheel(wheel_directory, [(f"_{PACKAGE}_editable.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    name, version, metadata = _metadata()
    dist = f"{name}-{version}"
    files = [(path, arcname) for path, arcname in _package_files()]
    files += [(os.path.join(ROOT, f), f) for f in ("pyproject.toml", "README.md", "build_backend/ironaspire_build.py")]
    filename = f"{dist}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for path, arcname in files:
            sdist.add(path, arcname=f"{dist}/{arcname}", recursive=False)
        info = tarfile.TarInfo(f"{dist}/PKG-INFO")
        data = metadata.encode("utf-8")
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        sdist.addfile(info, io.BytesIO(data))
    return filename
