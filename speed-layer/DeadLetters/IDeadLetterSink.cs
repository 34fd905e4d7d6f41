namespace Lambda.SpeedLayer.DeadLetters;

/// <summary>Where rejected messages go (the seam to the dead-letter topics).</summary>
public interface IDeadLetterSink
{
    /// <summary>
    /// Sends <paramref name="letter"/>; the task completes when it is durably stored (a flush that covers
    /// the letter's offset waits for it), and fails if it cannot be.
    /// </summary>
    Task PublishAsync(DeadLetter letter);
}
