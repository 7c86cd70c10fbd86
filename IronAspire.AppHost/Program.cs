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
        var demoKey = app.GetResource<ParameterResource>("demo-key").Value;
        app.Log.Info($"  export OPENAI_BASE_URL={router}/v1 OPENAI_API_KEY={demoKey}");
        app.Log.Info($"Anthropic clients: export ANTHROPIC_BASE_URL={router} ANTHROPIC_API_KEY={demoKey}");
        app.Log.Info($"Agent supervisor and dashboard: {app.GetEndpoint("agent-supervisor")}");
        app.Log.Info($"Admin key (IRONASPIRE_ADMIN_KEY): {app.GetResource<ParameterResource>("admin-key").Value}");
        if (builder.Configuration["AppHost:SampleAgent"] != "false")
        {
            try
            {
                SampleAgent.StartAsync(app).GetAwaiter().GetResult();
            }
            catch (HttpRequestException ex)
            {
                app.Log.Info("Sample agent not started: " + ex.Message);
            }
        }
    })
    .Run();
