using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Lambda.Shared.ClickHouse;
using Lambda.Shared.Kafka;
using Lambda.Shared.Kafka.Epochs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Lambda.BatchLayer.Commands;

/// <summary>
/// <c>epoch --topic T [--new [--start beginning|latest]]</c>: lists the offset epochs of a topic with what the broker
/// reports now, or begins a new epoch (the operator's confirmation that the topic's offsets restarted, or the switch
/// to another cluster). <c>--start latest</c> starts the new epoch at each partition's current log end, for a
/// topic that a mirror copied from the old cluster: what it copied was counted there already. Needs ClickHouse (the
/// registry) and Kafka.
/// </summary>
public static class EpochCommand
{
    private static readonly TimeSpan BrokerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Builds the command.</summary>
    public static Command Create(BatchCommandEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var topic = new Option<string>("--topic") { Description = "The Kafka topic.", Required = true, HelpName = "TOPIC" };
        var begin = new Option<bool>("--new") { Description = "Begin a new offset epoch of the topic." };
        var start = new Option<string>("--start")
        {
            Description = "Where the new epoch starts: 'beginning' of each partition's log (default) or its 'latest' end.",
            DefaultValueFactory = _ => "beginning",
        };
        start.AcceptOnlyFromAmong("beginning", "latest");
        var command = new Command("epoch", "List a topic's offset epochs, or begin a new one after its offsets restarted.")
        {
            topic, begin, start,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(start) is { Implicit: false } && !result.GetValue(begin))
            {
                result.AddError("--start only goes with --new.");
            }
        });
        command.SetAction((parse, cancellationToken) =>
            RunAsync(environment, parse.GetValue(topic)!, parse.GetValue(begin), parse.GetValue(start) == "latest", cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(BatchCommandEnvironment environment, string topic, bool begin, bool latest, CancellationToken cancellationToken)
    {
        var console = environment.Console;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection(environment.Configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddLambdaKafka(builder.Configuration);
        builder.Services.AddLambdaClickHouse(builder.Configuration.GetSection(ClickHouseOptions.SectionName));
        builder.Services.AddLambdaOffsetEpochs();
        using var host = builder.Build();
        var registry = host.Services.GetRequiredService<IOffsetEpochRegistry>();
        var topicId = await host.Services.GetRequiredService<ITopicIdReader>().ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        var logs = ReadLogs(host.Services.GetRequiredService<KafkaClientConfigFactory>(), topic);
        if (logs.Count == 0)
        {
            console.MarkupLine($"[red]Topic '{Markup.Escape(topic)}' does not exist on the broker.[/]");
            return 1;
        }

        var epochs = await registry.ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        if (begin)
        {
            var number = epochs.Count == 0 ? 0 : epochs[^1].Number + 1;
            var starts = latest ? logs.ToDictionary(l => l.Key, l => l.Value.High) : new Dictionary<int, long>();
            var reason = latest ? "begun by an operator at the log ends" : "begun by an operator";
            await registry.AppendAsync(
                    new OffsetEpoch(topic, number, topicId, starts, host.Services.GetRequiredService<TimeProvider>().GetUtcNow(), reason), cancellationToken)
                .ConfigureAwait(false);
            console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Began offset epoch {number} of topic {topic} ({(latest ? "at each partition's log end" : "at each partition's log start")}); running consumers take it within Kafka:StoppedPartitionRecheck or on their next assignment."));
            epochs = await registry.ReadAsync(topic, cancellationToken).ConfigureAwait(false);
        }

        Render(console, topic, topicId, epochs, logs);
        return 0;
    }

    private static Dictionary<int, PartitionLog> ReadLogs(KafkaClientConfigFactory kafka, string topic)
    {
        using var admin = new AdminClientBuilder(kafka.CreateAdminClientConfig()).Build();
        var metadata = admin.GetMetadata(topic, BrokerTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
        if (metadata is null || metadata.Error.IsError)
        {
            return [];
        }

        var config = kafka.CreateConsumerConfig($"lambda-epoch-command-{Guid.NewGuid():N}");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).Build();
        return metadata.Partitions.ToDictionary(
            p => p.PartitionId,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), BrokerTimeout) is var w ? new PartitionLog(w.Low.Value, w.High.Value) : default);
    }

    private static void Render(IAnsiConsole console, string topic, string topicId, IReadOnlyList<OffsetEpoch> epochs, Dictionary<int, PartitionLog> logs)
    {
        var table = new Table().AddColumn("epoch").AddColumn("topic id").AddColumn("starts").AddColumn("begun (UTC)").AddColumn("reason");
        foreach (var epoch in epochs)
        {
            table.AddRow(
                new Text(epoch.Number.ToString(CultureInfo.InvariantCulture)),
                new Text(epoch.TopicId.Length == 0 ? "(unknown)" : epoch.TopicId),
                new Text(epoch.StartOffsets.Count == 0 ? "log start" : OffsetEpochText.FormatStartOffsets(epoch.StartOffsets)),
                new Text(epoch.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
                new Text(epoch.Reason));
        }

        console.WriteLine($"Offset epochs of topic {topic}");
        console.Write(table);
        console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"The broker reports topic id {(topicId.Length == 0 ? "(none)" : topicId)}; log end offsets {string.Join(",", logs.OrderBy(l => l.Key).Select(l => $"{l.Key}:{l.Value.High}"))}."));
    }
}
