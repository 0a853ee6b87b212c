using System.Text;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>The rules of MQTT 3.1.1 section 4.7 for a topic filter, checked before a filter is kept for every reconnect.</summary>
internal static class TopicFilter
{
    /// <summary>
    /// True for a filter of 1 to 65535 UTF-8 bytes without NUL, where <c>+</c> stands alone in its level and <c>#</c>
    /// stands alone in the last level (sections 4.7.1.2, 4.7.1.3 and 4.7.3).
    /// </summary>
    public static bool IsValid(string? filter)
    {
        if (string.IsNullOrEmpty(filter) || filter.Contains('\0', StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(filter) > ushort.MaxValue)
        {
            return false;
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if ((level.Contains('+', StringComparison.Ordinal) && level != "+")
                || (level.Contains('#', StringComparison.Ordinal) && (level != "#" || i != levels.Length - 1)))
            {
                return false;
            }
        }

        return true;
    }
}
