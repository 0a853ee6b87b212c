using EdgeAnpr.Agent.Capture;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// Runs the stages of one camera side by side: capture fills the frame queue, the processor drains it.
/// When a finite input ends (or fails for good) the pipeline drains and, in replay, stops the process.
/// </summary>
internal sealed partial class PipelineService(
    CaptureService capture,
    FrameProcessor processor,
    AgentRun run,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var processing = Task.Run(() => processor.RunAsync(stoppingToken), stoppingToken);
        try
        {
            await capture.RunAsync(stoppingToken);
        }
        catch (CaptureException ex)
        {
            // Capture has logged it; a replay's input that cannot be read is bad input, whatever the cause.
            run.Fail(ex.IsPermanent || run.Mode == AgentMode.Replay ? ExitCodes.BadInput : ExitCodes.Failure, ex.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        try
        {
            await processing;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (CaptureException)
        {
            // The capture failure completed the queue with it; already recorded above.
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            LogInputEnded(capture.Status.Frames);
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Input ended after {Frames} frames")]
    private partial void LogInputEnded(long frames);
}
