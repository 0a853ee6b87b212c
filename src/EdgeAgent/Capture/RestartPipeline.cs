using Polly;
using Polly.Retry;

namespace EdgeAnpr.Agent.Capture;

/// <summary>
/// How a live source is restarted: forever, exponential backoff from <see cref="CaptureOptions.RestartDelay"/>
/// to <see cref="CaptureOptions.MaxRestartDelay"/> with jitter (so boxes on one network do not all
/// reconnect to a rebooted NVR in step), on the injected clock. Permanent failures are not retried.
/// </summary>
internal static class RestartPipeline
{
    public static ResiliencePipeline Create(CaptureOptions options, TimeProvider time, Func<OnRetryArguments<object>, ValueTask> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<CaptureException>(static e => !e.IsPermanent),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RestartDelay,
                MaxDelay = options.MaxRestartDelay,
                OnRetry = onRetry,
            })
            .Build();
}
