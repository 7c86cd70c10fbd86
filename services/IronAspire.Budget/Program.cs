var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBudgetServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseInternalApiAuthentication();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapReservationsApi();
app.MapBudgetsApi();
app.MapPricesApi();

app.Run();

public partial class Program;
