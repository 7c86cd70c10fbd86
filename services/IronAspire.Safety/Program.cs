var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSafetyServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseInternalApiAuthentication();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapScanApi();
app.MapPoliciesApi();

app.Run();

public partial class Program;
