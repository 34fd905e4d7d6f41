namespace Lambda.Shared.Deployment;

/// <summary>How a deployment builds its views (<see cref="LambdaModeOptions.Mode"/>).</summary>
public enum LambdaMode
{
    /// <summary>
    /// The batch layer recomputes views from the master dataset and the serving layer merges them with the speed deltas
    /// above the batch watermarks.
    /// </summary>
    Lambda = 0,

    /// <summary>
    /// No batch recomputes: the speed layer builds a view by replaying the archived master dataset through its pipeline,
    /// then continues from Kafka, and the serving layer answers from the speed tables alone.
    /// </summary>
    Kappa = 1,
}
