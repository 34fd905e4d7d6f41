namespace Lambda.ServingLayer.Ingest;

/// <summary>Kafka did not acknowledge every event of a publish.</summary>
public sealed class EventPublishException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventPublishException(string topic, int acknowledged, int failed, string reason, Exception? innerException = null)
        : base($"Kafka did not acknowledge {failed} of {acknowledged + failed} events on topic '{topic}': {reason}", innerException)
    {
        Topic = topic;
        Acknowledged = acknowledged;
        Failed = failed;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public EventPublishException(string message)
        : base(message)
    {
        Topic = string.Empty;
        Reason = message;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public EventPublishException(string message, Exception innerException)
        : base(message, innerException)
    {
        Topic = string.Empty;
        Reason = message;
    }

    /// <summary>Creates an empty exception.</summary>
    public EventPublishException()
        : this("Kafka did not acknowledge every event")
    {
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>Events the broker acknowledged as stored.</summary>
    public int Acknowledged { get; }

    /// <summary>Events without an acknowledgement.</summary>
    public int Failed { get; }

    /// <summary>The first failure's reason.</summary>
    public string Reason { get; }
}
