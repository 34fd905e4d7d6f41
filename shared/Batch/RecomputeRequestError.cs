namespace Lambda.Shared.Batch;

/// <summary>Why <see cref="RecomputeArguments"/> were refused.</summary>
/// <param name="Parameter">The argument at fault: <c>mode</c>, <c>from</c> or <c>to</c>.</param>
/// <param name="Message">What is wrong, naming the argument and its value.</param>
public sealed record RecomputeRequestError(string Parameter, string Message);
