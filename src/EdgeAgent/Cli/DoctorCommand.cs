using System.CommandLine;
using System.Text.Json;
using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Doctor;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Watchlist;
using Microsoft.Extensions.Configuration;

namespace EdgeAnpr.Agent.Cli;

/// <summary><c>edge-anpr doctor</c>: what a technician runs first at the box. One line per check; non-zero exit if any fails.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var json = CommonOptions.Json();
        var command = new Command("doctor", "Check ffmpeg, native libraries, GPIO chip and lines, configuration, camera, broker (TCP and MQTT), state directory, disk and clock") { config, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var checks = await RunChecksAsync(parse.GetValue(config), TimeProvider.System, cancellationToken);
            var failed = checks.Any(c => c.Outcome == CheckOutcome.Fail);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new DoctorReport(!failed, checks), CliJson.Default.DoctorReport));
            }
            else
            {
                foreach (var check in checks)
                {
                    console.Out.WriteLine($"{Label(check.Outcome),-5} {check.Name,-16} {check.Detail}");
                }
            }

            return failed ? ExitCodes.CheckFailed : ExitCodes.Ok;
        });
        return command;
    }

    internal static async Task<IReadOnlyList<DoctorCheck>> RunChecksAsync(string? configPath, TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        IConfiguration configuration;
        try
        {
            configuration = AgentConfiguration.Load(configPath);
            var problems = ConfigurationValidator.Validate(configuration);
            checks.Add(problems.Count == 0
                ? DoctorCheck.Ok("configuration", configPath ?? (File.Exists(AgentConfiguration.DefaultPath) ? AgentConfiguration.DefaultPath : "built-in defaults"))
                : DoctorCheck.Fail("configuration", string.Join(" | ", problems)));
        }
        catch (ConfigurationException ex)
        {
            checks.Add(DoctorCheck.Fail("configuration", ex.Message));
            configuration = new ConfigurationBuilder().Build();
        }

        var capture = Bind<CaptureOptions>(configuration, CaptureOptions.SectionName);
        var camera = Bind<CameraOptions>(configuration, CameraOptions.SectionName);
        var storage = Bind<StorageOptions>(configuration, StorageOptions.SectionName);
        var site = Bind<SiteOptions>(configuration, SiteOptions.SectionName);
        var mqtt = Bind<MqttOptions>(configuration, MqttOptions.SectionName);

        checks.Add(await Checks.FfmpegAsync(capture.FfmpegPath, cancellationToken));
        checks.Add(await DecoderCheck.RunAsync(capture, cancellationToken));
        checks.Add(Checks.OnnxRuntime());
        checks.Add(MqttDoctor.Library());
        checks.Add(GpioDoctor.Check(Bind<GpioOptions>(configuration, GpioOptions.SectionName)));
        checks.Add(await GpioLinesDoctor.CheckAsync(Bind<GpioOptions>(configuration, GpioOptions.SectionName), LibGpiod.Open, cancellationToken));
        checks.Add(await CameraCheck.RunAsync(camera, capture, cancellationToken));
        checks.Add(await BrokerDoctor.TcpAsync(mqtt, time, TimeSpan.FromSeconds(5), cancellationToken));
        checks.Add(await MqttDoctor.CheckAsync(mqtt, mqtt.ClientIdFor(site.Id, camera.Id), time, TimeSpan.FromSeconds(10), cancellationToken));
        checks.Add(WatchlistDoctor.Check(Bind<WatchlistOptions>(configuration, WatchlistOptions.SectionName), mqtt));
        checks.Add(Checks.StateDirectory(storage));
        checks.Add(Checks.FreeDisk(storage));
        checks.Add(await Checks.ClockAsync(time, cancellationToken));
        return checks;
    }

    /// <summary>Binds leniently: a bad value was already reported by the configuration check, and the rest still get checked.</summary>
    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException)
        {
        }

        return options;
    }

    internal static string Label(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Ok => "ok",
        CheckOutcome.Warn => "warn",
        _ => "FAIL",
    };
}

internal sealed record DoctorReport(bool Ok, IReadOnlyList<DoctorCheck> Checks);
