using IronAspire.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IronAspire.Safety.Tests;

/// <summary>The Safety service in-process against the real Redis of the shared backing servers.</summary>
public sealed class SafetyHost : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public const string AdminKey = "safety-tests-admin-key";
    public const string ServiceKey = "safety-tests-service-key";

    /// <summary>Sends the admin key.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Sends the service key.</summary>
    public HttpClient Service { get; private set; } = null!;

    /// <summary>Sends no key.</summary>
    public HttpClient Anonymous { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;
    public string Redis { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Redis = await BackingServers.RedisAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:cache", Redis);
            web.UseSetting("Safety:MaxScanChars", "100000");
            web.UseSetting("Pii:PseudonymKey", "safety-tests-pseudonym-key-0001");
            web.UseSetting("IRONASPIRE_ADMIN_KEY", AdminKey);
            web.UseSetting("IRONASPIRE_SERVICE_KEY", ServiceKey);
        });
        Client = _factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        Service = _factory.CreateClient();
        Service.DefaultRequestHeaders.Authorization = new("Bearer", ServiceKey);
        Anonymous = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Service.Dispose();
        Anonymous.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}
