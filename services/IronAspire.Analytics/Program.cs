var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAnalyticsServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseInternalApiAuthentication();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapAnalyticsApi();

app.Run();

public partial class Program;
