using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// Runs the stages of one camera side by side: capture fills the frame queue, the frame processor drains it into
/// vehicle passes, the pass processor matches them and hands hits to delivery. When a finite input ends (or fails for
/// good) the stages drain in order; a replay then waits for delivery to drain (at most
/// <see cref="DeliveryOptions.DrainTimeout"/>, else exit code 3) and stops the process. A stage that fails stops the
/// others and the process, with its message.
/// </summary>
internal sealed class PipelineService(
    CaptureService capture,
    FrameProcessor frames,
    PassProcessor passes,
    PipelineStats stats,
    AgentRun run,
    IOptions<DeliveryOptions> deliveryOptions,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineService> logger,
    DeliveryService? delivery = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var processing = Stage(() => frames.RunAsync(failed.Token), failed);
        var matching = Stage(() => passes.RunAsync(failed.Token), failed);
        try
        {
            await capture.RunAsync(failed.Token);
        }
        catch (CaptureException ex)
        {
            // Capture has logged it; a replay's input that cannot be read is bad input, whatever the cause.
            run.Fail(ex.IsPermanent || run.Mode == AgentMode.Replay ? ExitCodes.BadInput : ExitCodes.Failure, ex.Message);
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
        }

        await processing;
        await matching;
        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        if (!failed.IsCancellationRequested)
        {
            Log.InputEnded(logger, stats.FramesProcessed, stats.Passes, stats.Hits);
            var timeout = deliveryOptions.Value.DrainTimeout;
            if (run.Mode == AgentMode.Replay && delivery is not null && !await delivery.DrainAsync(timeout, stoppingToken))
            {
                run.Fail(ExitCodes.DrainTimeout, $"hits still undelivered after the drain timeout of {timeout.TotalSeconds:0.#} s; they stay in the outbox for the next run");
            }
        }

        lifetime.StopApplication();
    }

    /// <summary>Runs a stage on its own thread; if it fails, the run fails with its message and the other stages stop.</summary>
    private Task Stage(Func<Task> stage, CancellationTokenSource stopAll) => Task.Run(async () =>
    {
        try
        {
            await stage();
        }
        catch (OperationCanceledException) when (stopAll.IsCancellationRequested)
        {
        }
        catch (CaptureException)
        {
            // Capture failed and completed the frame queue with its exception; recorded where capture is awaited.
        }
#pragma warning disable CA1031 // An unexpected failure of a stage must end the run with its message rather than hang it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StageFailed(logger, ex);
            run.Fail(ExitCodes.Failure, $"the pipeline failed: {ex.Message}");
            await stopAll.CancelAsync();
        }
    });
}
