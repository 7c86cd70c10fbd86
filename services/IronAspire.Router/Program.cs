var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRouterServices();

var app = builder.Build();

app.UseRouterPipeline();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapLlmProxyApi();
app.MapModelsApi();
app.MapAdminApi();

app.Run();

public partial class Program;
