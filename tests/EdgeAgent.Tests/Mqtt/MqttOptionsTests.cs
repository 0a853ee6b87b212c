using EdgeAnpr.Agent.Hosting;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Tests.Mqtt;

public sealed class MqttOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-anpr-mqtt-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Mqtt_is_off_by_default_and_the_defaults_are_valid()
    {
        var options = new MqttOptions();
        Assert.False(options.IsEnabled);
        Assert.Equal(1883, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(30), options.KeepAlive);
        Assert.False(options.CleanSession);
        Assert.Empty(Check());
        Assert.Empty(Check(("Mqtt:Host", "broker.example")));
    }

    [Fact]
    public void The_client_id_defaults_to_site_and_camera()
    {
        Assert.Equal("edge-anpr-site7-gate-north", new MqttOptions().ClientIdFor("site7", "gate-north"));
        Assert.Equal("box-1", new MqttOptions { ClientId = "box-1" }.ClientIdFor("site7", "gate-north"));
    }

    [Fact]
    public void Tls_is_on_with_the_flag_or_a_ca_file()
    {
        Assert.False(new MqttOptions().UsesTls);
        Assert.True(new MqttOptions { Tls = true }.UsesTls);
        Assert.True(new MqttOptions { CaFile = "/etc/edge-anpr/ca.pem" }.UsesTls);
    }

    [Fact]
    public void A_password_file_others_can_read_is_refused_with_its_name_and_the_fix()
    {
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var problem = Assert.Single(Check(("Mqtt:Host", "broker.example"), ("Mqtt:UserName", "box"), ("Mqtt:PasswordFile", file)));

        Assert.Contains($"Mqtt:PasswordFile '{file}'", problem, StringComparison.Ordinal);
        Assert.Contains("mode 644", problem, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {file}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_file_only_its_owner_can_read_is_accepted_and_read()
    {
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Empty(Check(("Mqtt:Host", "broker.example"), ("Mqtt:UserName", "box"), ("Mqtt:PasswordFile", file)));
        Assert.Equal("s3cret", new MqttOptions { PasswordFile = file }.ReadPassword());
    }

    [Fact]
    public void A_password_file_needs_a_user_name()
    {
        var file = PasswordFile(UnixFileMode.UserRead);
        var problem = Assert.Single(Check(("Mqtt:Host", "broker.example"), ("Mqtt:PasswordFile", file)));
        Assert.Contains("Mqtt:UserName", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var problem = Assert.Single(Check(("Mqtt:Host", "broker.example"), ("Mqtt:CaFile", "/nonexistent/ca.pem")));
        Assert.Contains("Mqtt:CaFile '/nonexistent/ca.pem' does not exist", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_needs_its_key_and_tls()
    {
        var cert = Path.Combine(_directory, "client.pem");
        File.WriteAllText(cert, "-----BEGIN CERTIFICATE-----\n");

        var problems = Check(("Mqtt:Host", "broker.example"), ("Mqtt:CertFile", cert));

        Assert.Contains(problems, p => p.Contains("Mqtt:CertFile and Mqtt:KeyFile go together", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("TLS is off", StringComparison.Ordinal));
    }

    [Fact]
    public void Durations_must_be_whole_seconds_and_in_range()
    {
        Assert.Contains("whole seconds", Assert.Single(Check(("Mqtt:Host", "b"), ("Mqtt:KeepAlive", "00:00:10.500"))), StringComparison.Ordinal);
        Assert.Contains("KeepAlive", Assert.Single(Check(("Mqtt:Host", "b"), ("Mqtt:KeepAlive", "00:00:02"))), StringComparison.Ordinal);
        Assert.Contains(
            "Mqtt:MaxReconnectDelay",
            Assert.Single(Check(("Mqtt:Host", "b"), ("Mqtt:ReconnectDelay", "00:01:00"), ("Mqtt:MaxReconnectDelay", "00:00:10"))),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Port_and_client_id_are_checked()
    {
        Assert.Contains("Port", Assert.Single(Check(("Mqtt:Host", "b"), ("Mqtt:Port", "70000"))), StringComparison.Ordinal);
        Assert.Contains("Mqtt:ClientId", Assert.Single(Check(("Mqtt:Host", "b"), ("Mqtt:ClientId", "box/1"))), StringComparison.Ordinal);
    }

    [Fact]
    public void The_validator_rejects_at_start_up()
    {
        var file = PasswordFile(UnixFileMode.UserRead | UnixFileMode.OtherRead);
        var options = new MqttOptions { Host = "broker.example", UserName = "box", PasswordFile = file };

        var result = new MqttOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("chmod 600", result.FailureMessage, StringComparison.Ordinal);
    }

    private string PasswordFile(UnixFileMode mode)
    {
        var file = Path.Combine(_directory, $"password-{Guid.NewGuid():N}");
        File.WriteAllText(file, "s3cret\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, mode);
        }

        return file;
    }

    // The same binding and checking as start-up and `config check` (OptionsCatalog), for the Mqtt section alone.
    private static IReadOnlyList<string> Check(params (string Key, string Value)[] values) =>
        new OptionsEntry<MqttOptions, MqttOptionsValidator>(MqttOptions.SectionName).Check(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());
}
