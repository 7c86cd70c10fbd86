#!/usr/bin/env python3
"""Runs the SDK's unittest suite and writes "passed failed skipped" to --counts, for scripts/test.sh's total line.

    python3 sdk/python/tests/run.py [--counts FILE] [test names, e.g. tests.test_errors]
"""
import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class CountingResult(unittest.TextTestResult):
    """Counts successes itself: an error in setUpClass is an error without a test run, so testsRun cannot tell."""

    passed = 0

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self.passed += 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", help="file that receives 'passed failed skipped'")
    parser.add_argument("names", nargs="*", help="tests to run (default: every test_*.py here)")
    options = parser.parse_args()

    sys.path.insert(0, os.path.dirname(HERE))  # sdk/python: the package and this tests package
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromNames(options.names) if options.names else loader.discover(HERE, top_level_dir=os.path.dirname(HERE))
    result = unittest.TextTestRunner(verbosity=2, resultclass=CountingResult).run(suite)

    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped) + len(result.expectedFailures)
    passed = result.passed
    if passed + failed + skipped == 0:
        failed += 1  # nothing ran: that is a broken suite, not a green one
    if options.counts:
        with open(options.counts, "w") as f:
            f.write(f"{passed} {failed} {skipped}\n")
    print(f"Python SDK: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
