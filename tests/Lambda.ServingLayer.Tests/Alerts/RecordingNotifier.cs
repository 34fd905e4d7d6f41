using Lambda.ServingLayer.Alerts;

namespace Lambda.ServingLayer.Tests.Alerts;

/// <summary>
/// Keeps every notification attempt; throws while <see cref="Failing"/> is set, or for the next <see cref="FailNext"/>
/// attempts (after recording the attempt).
/// </summary>
internal sealed class RecordingNotifier : IAlertNotifier
{
    private readonly Lock _gate = new();
    private readonly List<AlertNotification> _attempts = [];

    public IReadOnlyList<AlertNotification> Attempts
    {
        get
        {
            lock (_gate)
            {
                return _attempts.ToArray();
            }
        }
    }

    public bool Failing { get; set; }

    public int FailNext { get; set; }

    public Task NotifyAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _attempts.Add(notification);
            if (Failing || FailNext-- > 0)
            {
                return Task.FromException(new HttpRequestException("webhook receiver is down"));
            }
        }

        return Task.CompletedTask;
    }
}
