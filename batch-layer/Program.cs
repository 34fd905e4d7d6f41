using Lambda.BatchLayer.Commands;

return await BatchCommandLine.InvokeAsync(args).ConfigureAwait(false);

/// <summary>Entry point type, public so integration tests can host the service.</summary>
public partial class Program;
