using EdgeAnpr.Agent.Mqtt;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>The one-line reasons a technician reads, from what libmosquitto and OpenSSL report.</summary>
public sealed class ConnectionProblemTests
{
    [Theory]
    [InlineData(4, "bad user name or password")]
    [InlineData(5, "not authorised")]
    [InlineData(2, "Mqtt:ClientId")]
    public void A_refusing_connack_names_the_setting_to_check(int code, string expected)
    {
        var problem = ConnectionProblem.FromConnack(code, MqttProtocolVersion.V311);
        Assert.True(problem.NeedsAttention);
        Assert.Contains(expected, problem.Reason, StringComparison.Ordinal);
        Assert.Contains($"CONNACK {code}", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Mqtt5_reason_codes_are_read_as_such()
    {
        var problem = ConnectionProblem.FromConnack(0x86, MqttProtocolVersion.V5);
        Assert.Contains("Mqtt:PasswordFile", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed", "Mqtt:CaFile")]
    [InlineData("OpenSSL Error[0]: error:0A000418:SSL routines::tlsv1 alert unknown ca", "client certificate")]
    [InlineData("OpenSSL Error[0]: error:0A00010B:SSL routines::wrong version number", "does not speak TLS")]
    public void Tls_failures_name_the_likely_cause(string line, string expected)
    {
        var problem = ConnectionProblem.FromTls(line);
        Assert.True(problem.NeedsAttention);
        Assert.StartsWith("TLS failure (", problem.Reason, StringComparison.Ordinal);
        Assert.Contains(expected, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_connection_is_not_a_configuration_problem()
    {
        var problem = ConnectionProblem.FromDisconnect(MosquittoError.ConnectionLost, 0, null);
        Assert.False(problem.NeedsAttention);
        Assert.Equal("The connection was lost", problem.Reason);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_diagnosed_as_refused()
    {
        var problem = await ConnectionProblem.DiagnoseAsync("127.0.0.1", Support.FreePorts.Next(), tls: false, TimeProvider.System);
        Assert.Contains("connection refused", problem.Reason, StringComparison.Ordinal);
    }
}
