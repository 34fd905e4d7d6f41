using Lambda.ServingLayer;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddServingLayer(builder.Configuration);

var app = builder.Build();
app.UseServingLayer();
app.Run();

/// <summary>Entry point type, public so integration tests can host the service.</summary>
public partial class Program;
