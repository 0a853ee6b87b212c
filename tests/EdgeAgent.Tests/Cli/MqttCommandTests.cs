using System.Text.Json;
using EdgeAnpr.Agent.Cli;
using EdgeAnpr.Agent.Tests.Support;

namespace EdgeAnpr.Agent.Tests.Cli;

/// <summary><c>mqtt test</c> against a real mosquitto on 127.0.0.1, plain and TLS, and the failures it names.</summary>
public sealed class MqttCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-mqtt-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_round_trip_through_the_broker_is_timed_and_reported()
    {
        await using var broker = await MosquittoBroker.StartAsync();

        var json = await RunAsync(Config(new() { ["Host"] = "127.0.0.1", ["Port"] = broker.Port }), "--json");
        var text = await RunAsync(Config(new() { ["Host"] = "127.0.0.1", ["Port"] = broker.Port }));

        Assert.True(json.ExitCode == ToolExit.Ok, json.Output + json.Error);
        using var report = JsonDocument.Parse(json.Output);
        var root = report.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal("MQTT 3.1.1", root.GetProperty("protocol").GetString());
        Assert.Equal("edge-anpr-site7-gate2-test", root.GetProperty("clientId").GetString());
        Assert.Matches("^anpr/v1/site7/gate2/test/[0-9a-f]{8}$", root.GetProperty("topic").GetString());
        Assert.True(root.GetProperty("roundTripMs").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("tls").ValueKind);
        Assert.Equal(ToolExit.Ok, text.ExitCode);
        Assert.Contains(text.OutputLines, l => l.StartsWith($"ok   connected to 127.0.0.1:{broker.Port} (MQTT 3.1.1)", StringComparison.Ordinal));
        Assert.Contains(text.OutputLines, l => l.StartsWith("ok   round trip on anpr/v1/site7/gate2/test/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Over_tls_the_session_and_the_brokers_certificate_are_reported()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        var pki = broker.Certificates!;

        var result = await RunAsync(
            Config(new() { ["Host"] = "127.0.0.1", ["Port"] = broker.TlsPort, ["CaFile"] = pki.CaFile, ["CertFile"] = pki.ClientCertFile, ["KeyFile"] = pki.ClientKeyFile }),
            "--json");

        Assert.True(result.ExitCode == ToolExit.Ok, result.Output + result.Error);
        using var report = JsonDocument.Parse(result.Output);
        var tls = report.RootElement.GetProperty("tls");
        Assert.StartsWith("TLS 1.", tls.GetProperty("protocol").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("TLS_", tls.GetProperty("cipherSuite").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(tls.GetProperty("subject").GetString(), tls.GetProperty("issuer").GetString());
        Assert.True(tls.GetProperty("daysLeft").GetDouble() > 0);
    }

    [Fact]
    public async Task A_broker_signed_by_another_ca_is_a_tls_failure_named_as_such()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { Tls = true });
        var pki = broker.Certificates!;

        var result = await RunAsync(
            Config(new() { ["Host"] = "127.0.0.1", ["Port"] = broker.TlsPort, ["CaFile"] = pki.RogueCaFile, ["CertFile"] = pki.ClientCertFile, ["KeyFile"] = pki.ClientKeyFile }));

        Assert.Equal(ToolExit.Unreachable, result.ExitCode);
        Assert.StartsWith("FAIL", result.OutputLines[0], StringComparison.Ordinal);
        Assert.Contains("TLS failure (certificate verify failed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_named_as_the_brokers_refusal()
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoBrokerOptions { AllowAnonymous = false, Users = new Dictionary<string, string> { ["box"] = "right-one" } });
        var password = Path.Combine(_directory, "password");
        File.WriteAllText(password, "wrong-one\n");
        MosquittoBroker.MakeOwnerOnly(password);

        var result = await RunAsync(Config(new() { ["Host"] = "127.0.0.1", ["Port"] = broker.Port, ["UserName"] = "box", ["PasswordFile"] = password }), "--json");

        Assert.Equal(ToolExit.Unreachable, result.ExitCode);
        using var report = JsonDocument.Parse(result.Output);
        Assert.False(report.RootElement.GetProperty("connected").GetBoolean());
        Assert.Matches("bad user name or password|not authorised", report.RootElement.GetProperty("problem").GetString());
        Assert.DoesNotContain("wrong-one", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_is_unreachable_and_mqtt_off_is_bad_input()
    {
        var refused = await RunAsync(Config(new() { ["Host"] = "127.0.0.1", ["Port"] = FreePorts.Next() }));
        var off = await RunAsync(Config([]));

        Assert.Equal(ToolExit.Unreachable, refused.ExitCode);
        Assert.Contains("connection refused", refused.Output, StringComparison.Ordinal);
        Assert.Equal(ToolExit.BadInput, off.ExitCode);
        Assert.Contains("MQTT is off (Mqtt:Host is empty)", off.Error, StringComparison.Ordinal);
    }

    private static Task<CliRunner.Result> RunAsync(string config, params string[] extra) =>
        ToolRunner.RunAsync(c => MqttCommand.Create(c, TimeProvider.System, ToolTerminal.None), ["mqtt", "test", "--config", config, .. extra]);

    private string Config(Dictionary<string, object> mqtt)
    {
        var path = Path.Combine(_directory, $"edge-anpr-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Site"] = new Dictionary<string, string> { ["Id"] = "site7" },
            ["Camera"] = new Dictionary<string, string> { ["Id"] = "gate2" },
            ["Mqtt"] = mqtt,
        }));
        return path;
    }
}
