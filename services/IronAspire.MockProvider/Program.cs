var builder = WebApplication.CreateBuilder(args);

builder.AddBasicServiceDefaults();
builder.AddMockProviderServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapOpenAIApi();
app.MapAnthropicApi();
app.MapMockAdminApi();

app.Run();

public partial class Program;
