namespace IronAspire.Hosting.ApplicationModel;

/// <summary>A named part of the application: a backing server, a database on one, or a project.</summary>
public interface IResource
{
    /// <summary>The resource name; follows Aspire's rule (letters, digits, single hyphens, starting with a letter).</summary>
    string Name { get; }
}

/// <summary>A resource other resources reach through a connection string (<c>ConnectionStrings__{name}</c>).</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The connection string once the resource runs (or the one given in configuration).</summary>
    string? ConnectionString { get; }

    /// <summary>The manifest's expression for the connection string, e.g. <c>{cache.bindings.tcp.host}:...</c>.</summary>
    string ConnectionStringExpression { get; }
}

/// <summary>A resource that has a health state the orchestrator waits on.</summary>
public interface IResourceWithHealth : IResource;

/// <summary>Where a project's build output is; generated at build time into the AppHost as <c>Projects.*</c>.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }
    string TargetPath { get; }
}
