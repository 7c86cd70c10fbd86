namespace IronAspire.Hosting.ApplicationModel;

/// <summary>A resource being declared, with the builder it belongs to (Aspire's IResourceBuilder).</summary>
public interface IResourceBuilder<out T> where T : IResource
{
    T Resource { get; }
    IDistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, IDistributedApplicationBuilder builder) : IResourceBuilder<T> where T : IResource
{
    public T Resource { get; } = resource;
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = builder;
}
