using System.Net.Sockets;
using System.Security.Authentication;
using EdgeAnpr.Agent.Mqtt;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;

namespace EdgeAnpr.Agent.Tests.Mqtt;

/// <summary>The one-line reasons a technician reads, from what MQTTnet and the TLS stack report.</summary>
public sealed class ConnectionProblemTests
{
    [Theory]
    [InlineData(MqttClientConnectResultCode.BadUserNameOrPassword, 4, "bad user name or password")]
    [InlineData(MqttClientConnectResultCode.NotAuthorized, 5, "not authorised")]
    [InlineData(MqttClientConnectResultCode.ClientIdentifierNotValid, 2, "Mqtt:ClientId")]
    public void A_refusing_connack_names_the_setting_to_check_and_its_code_on_the_wire(MqttClientConnectResultCode code, int wire, string expected)
    {
        var problem = ConnectionProblem.FromConnack(code, MqttProtocolVersion.V311);
        Assert.True(problem.NeedsAttention);
        Assert.Contains(expected, problem.Reason, StringComparison.Ordinal);
        Assert.Contains($"CONNACK {wire}", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Mqtt5_reason_codes_are_read_as_such()
    {
        var problem = ConnectionProblem.FromConnack(MqttClientConnectResultCode.BadUserNameOrPassword, MqttProtocolVersion.V5);
        Assert.Contains("Mqtt:PasswordFile", problem.Reason, StringComparison.Ordinal);
        Assert.Contains("CONNACK 134", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_named_only_in_the_exception_is_still_understood()
    {
        var problem = ConnectionProblem.FromException(
            new MqttConnectingFailedException("Connecting failed: NotAuthorized", null!), null, "broker", MqttProtocolVersion.V311);
        Assert.True(problem.NeedsAttention);
        Assert.Contains("not authorised (CONNACK 5)", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SSL Handshake failed with OpenSSL error - SSL_ERROR_SSL. error:0A000086:SSL routines::certificate verify failed", "Mqtt:CaFile")]
    [InlineData("error:0A000418:SSL routines::tlsv1 alert unknown ca", "client certificate")]
    [InlineData("error:0A00010B:SSL routines::wrong version number", "does not speak TLS")]
    public void Tls_failures_name_the_likely_cause(string text, string expected)
    {
        var problem = ConnectionProblem.FromTls(text);
        Assert.True(problem.NeedsAttention);
        Assert.StartsWith("TLS failure (", problem.Reason, StringComparison.Ordinal);
        Assert.Contains(expected, problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tls_failure_is_found_inside_the_exceptions_mqttnet_wraps_it_in()
    {
        var wrapped = new MqttCommunicationException(new AuthenticationException(
            "Authentication failed, see inner exception.", new IOException("error:0A000418:SSL routines::tlsv1 alert unknown ca")));
        var problem = ConnectionProblem.FromException(wrapped, null, "broker", MqttProtocolVersion.V311);
        Assert.Contains("client certificate", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broker_certificate_this_box_refused_is_named_with_what_the_check_found()
    {
        var problem = ConnectionProblem.FromException(
            new MqttCommunicationException(new AuthenticationException("The remote certificate was rejected by the provided RemoteCertificateValidationCallback.")),
            "untrusted root", "broker", MqttProtocolVersion.V311);
        Assert.True(problem.NeedsAttention);
        Assert.Contains("certificate verify failed: untrusted root", problem.Reason, StringComparison.Ordinal);
        Assert.Contains("Mqtt:CaFile", problem.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, "connection refused")]
    [InlineData(SocketError.HostNotFound, "cannot resolve the host name 'broker'")]
    public void Socket_errors_are_not_configuration_problems(SocketError error, string expected)
    {
        var problem = ConnectionProblem.FromException(new MqttCommunicationException(new SocketException((int)error)), null, "broker", MqttProtocolVersion.V311);
        Assert.False(problem.NeedsAttention);
        Assert.Contains(expected, problem.Reason, StringComparison.Ordinal);
    }
}
