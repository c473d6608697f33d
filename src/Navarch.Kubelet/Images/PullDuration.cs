using System.Globalization;

namespace Navarch.Kubelet.Images;

/// <summary>Go's <c>time.Duration.String()</c> of a duration truncated to milliseconds, as the kubelet's pull events print it.</summary>
internal static class PullDuration
{
    public static string FormatMilliseconds(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms <= 0)
        {
            return "0s";
        }

        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = ms % 60_000 / 1000m;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{hours}h{minutes}m{text}";
        }

        return minutes > 0 ? $"{minutes}m{text}" : text;
    }
}
