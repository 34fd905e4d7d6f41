namespace Lambda.DemoGenerator.Generators;

/// <summary>One generated message: its topic, key and JSON value.</summary>
/// <param name="Topic">Kafka topic.</param>
/// <param name="Key">Message key (the source's key field).</param>
/// <param name="Value">UTF-8 JSON value.</param>
public readonly record struct DemoEvent(string Topic, string Key, byte[] Value);
