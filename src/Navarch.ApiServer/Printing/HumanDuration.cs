using System.Globalization;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// Durations as kubectl shows them, matching k8s.io/apimachinery/pkg/util/duration: a couple of significant
/// figures ("45s", "3m20s", "5h3m", "2d5h", "15d", "3y45d").
/// </summary>
public static class HumanDuration
{
    /// <summary>The AGE-style rendering (duration.HumanDuration).</summary>
    public static string Format(TimeSpan d)
    {
        // As Kubernetes does, a clock skew of up to (but excluding) two seconds counts as "now".
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return Invariant($"{seconds}s");
        }

        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = d.Ticks / TimeSpan.TicksPerSecond % 60;
            return s == 0 ? Invariant($"{minutes}m") : Invariant($"{minutes}m{s}s");
        }

        if (minutes < 60 * 3)
        {
            return Invariant($"{minutes}m");
        }

        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? Invariant($"{hours}h") : Invariant($"{hours}h{m}m");
        }

        if (hours < 48)
        {
            return Invariant($"{hours}h");
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? Invariant($"{hours / 24}d") : Invariant($"{hours / 24}d{h}h");
        }

        if (hours < 24 * 365 * 2)
        {
            return Invariant($"{hours / 24}d");
        }

        if (hours < 24 * 365 * 8)
        {
            var days = hours / 24 % 365;
            return days == 0 ? Invariant($"{hours / 24 / 365}y") : Invariant($"{hours / 24 / 365}y{days}d");
        }

        return Invariant($"{hours / 24 / 365}y");
    }

    /// <summary>The one-unit rendering (duration.ShortHumanDuration): "59s", "5m", "23h", "364d", "2y".</summary>
    public static string FormatShort(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60)
        {
            return Invariant($"{seconds}s");
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes < 60)
        {
            return Invariant($"{minutes}m");
        }

        var hours = (long)d.TotalHours;
        if (hours < 24)
        {
            return Invariant($"{hours}h");
        }

        if (hours < 24 * 365)
        {
            return Invariant($"{hours / 24}d");
        }

        return Invariant($"{(long)(d.TotalHours / 24 / 365)}y");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
