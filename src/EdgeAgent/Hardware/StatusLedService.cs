using Microsoft.Extensions.Hosting;

namespace EdgeAnpr.Agent.Hardware;

/// <summary>What the status LED shows: whether frames have been processed, the camera is delivering, the link is up.</summary>
public readonly record struct BoxCondition(bool Started, bool CameraUp, bool LinkUp);

/// <summary>
/// Keeps the status LED showing how the box is (<see cref="StatusLed.StateFor"/>): starting until the first frame is
/// processed, then camera down while capture is not running, link down while MQTT is configured and not connected,
/// else running. Looks every <see cref="Interval"/>. Without an LED (none configured) it does nothing.
/// </summary>
public sealed class StatusLedService(StatusLed? led, Func<BoxCondition> condition, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (led is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                var now = condition();
                led.SetState(StatusLed.StateFor(now.Started, now.CameraUp, now.LinkUp));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
