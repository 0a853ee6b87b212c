using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>
/// Keeps the status LED showing how the box is: starting until the first frame is processed, then camera down while
/// capture is not running, link down while MQTT is configured and not connected, else running. Looks twice a second;
/// does nothing when no LED is configured.
/// </summary>
internal sealed class StatusLedService(IServiceProvider services, TimeProvider time) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<StatusLed>() is not { } led)
        {
            return;
        }

        var capture = services.GetRequiredService<CaptureService>();
        var stats = services.GetRequiredService<PipelineStats>();
        var transport = services.GetService<MqttTransport>();
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                led.SetState(StatusLed.StateFor(
                    started: stats.FramesProcessed > 0,
                    cameraUp: capture.Status.State == CaptureState.Running,
                    linkUp: transport is null || transport.Status.IsConnected));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
