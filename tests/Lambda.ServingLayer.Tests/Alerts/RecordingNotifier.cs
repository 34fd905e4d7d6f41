using Lambda.ServingLayer.Alerts;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>Keeps every notification; throws while <see cref="Failing"/> is set (after recording the attempt).</summary>
internal sealed class RecordingNotifier : IAlertNotifier
{
    public List<AlertNotification> Attempts { get; } = [];

    public bool Failing { get; set; }

    public Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        Attempts.Add(notification);
        return Failing ? Task.FromException(new HttpRequestException("webhook receiver is down")) : Task.CompletedTask;
    }
}
