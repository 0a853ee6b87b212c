using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Status;

/// <summary>Log messages of the status endpoint (event ids 9500-9599).</summary>
internal static partial class Log
{
    [LoggerMessage(9500, LogLevel.Information, "Status endpoint listening on {Path}")]
    public static partial void Listening(ILogger logger, string path);

    // One line, and the agent runs on: the endpoint is for people, the pipeline must not depend on it.
    [LoggerMessage(9501, LogLevel.Warning, "Status endpoint off, the agent runs on without it: {Path}: {Problem}")]
    public static partial void EndpointOff(ILogger logger, string path, string problem);

    [LoggerMessage(9502, LogLevel.Information, "Removed a stale status socket {Path} (nothing answered on it)")]
    public static partial void StaleSocketRemoved(ILogger logger, string path);

    [LoggerMessage(9503, LogLevel.Debug, "Status request '{Request}' not answered: {Problem}")]
    public static partial void RequestFailed(ILogger logger, string request, string problem);

    [LoggerMessage(9504, LogLevel.Warning, "Status request refused: {Clients} clients already connected")]
    public static partial void Busy(ILogger logger, int clients);

    [LoggerMessage(9505, LogLevel.Warning, "Status request '{Request}' failed")]
    public static partial void RequestError(ILogger logger, string request, Exception exception);
}
