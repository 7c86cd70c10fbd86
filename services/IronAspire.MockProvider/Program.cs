var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMockProviderServices();

var app = builder.Build();

app.MapMockProvider();

app.Run();

public partial class Program;
