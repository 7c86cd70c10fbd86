namespace IronAspire.Load.Benchmarks;

/// <summary>
/// The Router's own listening address. The Router's endpoint is DCP's proxy in front of its replicas (one more TCP hop
/// and a process on the two cores); the floors and Portkey are called directly. With one replica the benchmark calls
/// it directly too, at the address DCP gave it (<c>ASPNETCORE_URLS</c> in its environment), so every target is one
/// hop from the client and reaches the MockProvider through the same DCP proxy.
/// </summary>
public static class RouterReplica
{
    public static Uri? DirectUri(IReadOnlyList<int> replicas)
    {
        if (replicas is not [var pid])
        {
            return null;
        }

        try
        {
            var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            var urls = Array.Find(environment, e => e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal))?["ASPNETCORE_URLS=".Length..];
            var http = urls?.Split(';').FirstOrDefault(u => u.StartsWith("http://", StringComparison.Ordinal));
            return http is null ? null : new Uri(http);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
