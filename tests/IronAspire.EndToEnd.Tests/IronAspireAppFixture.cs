using IronAspire.AppHost;
using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;
using IronAspire.Hosting.Testing;

namespace IronAspire.EndToEnd.Tests;

/// <summary>The whole application model, started once for the end-to-end tests (real servers, real processes).</summary>
public sealed class IronAspireAppFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public Uri RouterUrl => App.GetEndpoint("router");

    public string DemoKey => App.GetResource<ParameterResource>("demo-key").Value;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(IronAspireModel.Declare);
        App = builder.Build();
        await App.StartAsync();
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class IronAspireAppCollection : ICollectionFixture<IronAspireAppFixture>
{
    public const string Name = "IronAspire app";
}
