using IronAspire.AppHost;
using IronAspire.Hosting;
using IronAspire.Hosting.ApplicationModel;

var builder = DistributedApplication.CreateBuilder(args);

IronAspireModel.Declare(builder);

builder.Build()
    .OnStarted(app =>
    {
        var router = app.GetEndpoint("router").ToString().TrimEnd('/');
        app.Log.Info("");
        app.Log.Info("Point any OpenAI client at the Router with the demo agent's key:");
        app.Log.Info($"  export OPENAI_BASE_URL={router}/v1");
        app.Log.Info($"  export OPENAI_API_KEY={app.GetResource<ParameterResource>("demo-key").Value}");
        app.Log.Info($"Anthropic clients: ANTHROPIC_BASE_URL={router} with the same key.");
        app.Log.Info($"Admin key (IRONASPIRE_ADMIN_KEY): {app.GetResource<ParameterResource>("admin-key").Value}");
    })
    .Run();
