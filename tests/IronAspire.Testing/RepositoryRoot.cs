namespace IronAspire.Testing;

/// <summary>The repository root: the nearest folder above the working directory or the test's output that holds IronAspire.sln.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "IronAspire.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("IronAspire.sln was not found above " + AppContext.BaseDirectory);
    }
}
