using Lambda.DemoGenerator;
using Lambda.Shared.Kafka;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddLambdaKafka(builder.Configuration);
builder.Services.AddOptions<DemoGeneratorOptions>()
    .Bind(builder.Configuration.GetSection(DemoGeneratorOptions.SectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHostedService<DemoGeneratorService>();
builder.Services.AddHostedService<DemoLookupPublisher>();
await builder.Build().RunAsync().ConfigureAwait(false);
