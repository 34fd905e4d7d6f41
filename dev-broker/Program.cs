using Lambda.DevBroker.Hosting;
using Lambda.DevBroker.Native;

// Development Kafka broker: librdkafka's in-memory mock cluster, for development and tests only.
LibRdKafkaLoader.Register();

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDevBroker(builder.Configuration);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapControlApi();
await app.RunAsync();
