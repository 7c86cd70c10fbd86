var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSupervisorServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.UseWebSockets();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapAgentsApi();
app.MapEventsApi();
app.MapAgentOutputApi();
app.MapAlertsApi();
app.MapAnalyticsPassthroughApi();

app.Run();

public partial class Program;
