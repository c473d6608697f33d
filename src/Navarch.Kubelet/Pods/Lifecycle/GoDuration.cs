using System.Globalization;
using System.Text;

namespace Navarch.Kubelet.Pods.Lifecycle;

/// <summary>Formats a duration as Go's <c>time.Duration.String</c> does for whole seconds ("10s", "1m20s", "5m0s"), as kubelet messages carry it.</summary>
public static class GoDuration
{
    public static string Format(TimeSpan duration)
    {
        var total = (long)Math.Round(duration.TotalSeconds);
        if (total == 0)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (total < 0)
        {
            builder.Append('-');
            total = -total;
        }

        var hours = total / 3600;
        var minutes = total / 60 % 60;
        var seconds = total % 60;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        builder.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        return builder.ToString();
    }
}
