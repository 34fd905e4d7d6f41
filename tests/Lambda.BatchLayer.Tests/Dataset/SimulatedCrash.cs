namespace Lambda.BatchLayer.Tests.Dataset;

/// <summary>Thrown by a test hook to stop a process at a chosen step, as a kill would (nothing after it runs).</summary>
internal sealed class SimulatedCrash(string step) : Exception($"stopped after: {step}");
