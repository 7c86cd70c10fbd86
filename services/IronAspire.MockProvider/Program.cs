var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMockProviderServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapProviderApis();
app.MapMockAdminApi();

app.Run();

public partial class Program;
