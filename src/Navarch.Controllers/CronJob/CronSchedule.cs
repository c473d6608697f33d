using Navarch.Api;
using System.Globalization;
using System.Numerics;

namespace Navarch.Controllers.CronJob;

/// <summary>
/// A CronJob schedule as the standard parser Kubernetes uses (robfig/cron's ParseStandard) reads it: five fields
/// (minute, hour, day of month, month, day of week) of <c>*</c>/<c>?</c>, numbers, ranges, steps, lists and
/// month/weekday names, or a descriptor (<c>@yearly</c>, <c>@annually</c>, <c>@monthly</c>, <c>@weekly</c>,
/// <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>, <c>@every &lt;duration&gt;</c>). Immutable and thread-safe.
/// </summary>
internal sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _daysOfMonth;
    private readonly ulong _months;
    private readonly ulong _daysOfWeek;
    private readonly bool _domStar;
    private readonly bool _dowStar;
    private readonly TimeSpan? _every;

    private CronSchedule(ulong minutes, ulong hours, ulong daysOfMonth, ulong months, ulong daysOfWeek, bool domStar, bool dowStar)
    {
        _minutes = minutes;
        _hours = hours;
        _daysOfMonth = daysOfMonth;
        _months = months;
        _daysOfWeek = daysOfWeek;
        _domStar = domStar;
        _dowStar = dowStar;
    }

    private CronSchedule(TimeSpan every) => _every = every;

    /// <summary>Parses <paramref name="text"/>, or returns null with the parser's complaint in <paramref name="error"/>.</summary>
    public static CronSchedule? TryParse(string text, out string error)
    {
        error = "";
        var spec = text.Trim();
        if (spec.Length == 0)
        {
            error = "empty spec string";
            return null;
        }

        if (spec.StartsWith('@'))
        {
            return ParseDescriptor(spec, out error);
        }

        var fields = spec.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"expected exactly 5 fields, found {fields.Length}: [{string.Join(" ", fields)}]";
            return null;
        }

        if (ParseField(fields[0], 0, 59, null, 0, out var minutes, out _, ref error)
            && ParseField(fields[1], 0, 23, null, 0, out var hours, out _, ref error)
            && ParseField(fields[2], 1, 31, null, 0, out var dom, out var domStar, ref error)
            && ParseField(fields[3], 1, 12, MonthNames, 1, out var months, out _, ref error)
            && ParseField(fields[4], 0, 6, DayNames, 0, out var dow, out var dowStar, ref error))
        {
            return new CronSchedule(minutes, hours, dom, months, dow, domStar, dowStar);
        }

        return null;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> (for tests and constants).</summary>
    public static CronSchedule Parse(string text) => TryParse(text, out var error) ?? throw new FormatException(error);

    /// <summary>
    /// The first activation strictly after <paramref name="after"/> in <paramref name="zone"/>'s wall time, or null when
    /// none comes within five years (e.g. "0 0 30 2 *"), as robfig/cron gives up. Hours and minutes advance in absolute
    /// time as robfig/cron does, so wall times skipped by a DST change do not fire and a repeated hour fires once per pass.
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        if (_every is { } every)
        {
            // As robfig's ConstantDelaySchedule: whole seconds from the given time.
            var truncated = new DateTimeOffset(after.UtcTicks - after.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            return TimeZoneInfo.ConvertTime(truncated + every, zone);
        }

        var t = new DateTimeOffset(after.UtcTicks - after.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var yearLimit = TimeZoneInfo.ConvertTime(t, zone).Year + 5;
        while (true)
        {
            var local = TimeZoneInfo.ConvertTime(t, zone);
            if (local.Year > yearLimit)
            {
                return null;
            }

            if (!Has(_months, local.Month))
            {
                var firstOfNext = new DateTime(local.Year, local.Month, 1).AddMonths(1);
                t = LocalMidnight(firstOfNext, zone);
                continue;
            }

            if (!DayMatches(local))
            {
                t = LocalMidnight(local.Date.AddDays(1), zone);
                continue;
            }

            if (!Has(_hours, local.Hour))
            {
                t = t.AddMinutes(60 - local.Minute);
                continue;
            }

            var minute = NextBit(_minutes, local.Minute);
            if (minute < 0)
            {
                t = t.AddMinutes(60 - local.Minute);
                continue;
            }

            if (minute != local.Minute)
            {
                t = t.AddMinutes(minute - local.Minute);
                continue;
            }

            return local;
        }
    }

    // robfig's dayMatches: when either day field starts with '*' (no step) both must match, otherwise either may.
    private bool DayMatches(DateTimeOffset local)
    {
        var dom = Has(_daysOfMonth, local.Day);
        var dow = Has(_daysOfWeek, (int)local.DayOfWeek);
        return _domStar || _dowStar ? dom && dow : dom || dow;
    }

    /// <summary>Midnight of <paramref name="date"/> in the zone; where a DST change skips midnight, the first wall time that exists.</summary>
    private static DateTimeOffset LocalMidnight(DateTime date, TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        // An ambiguous midnight takes its first (larger-offset) occurrence.
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static bool Has(ulong mask, int value) => (mask & (1UL << value)) != 0;

    private static int NextBit(ulong mask, int from)
    {
        var rest = mask >> from;
        return rest == 0 ? -1 : from + BitOperations.TrailingZeroCount(rest);
    }

    private static CronSchedule? ParseDescriptor(string spec, out string error)
    {
        error = "";
        var standard = spec switch
        {
            "@yearly" or "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" or "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            _ => null,
        };
        if (standard is not null)
        {
            return TryParse(standard, out error);
        }

        const string every = "@every ";
        if (spec.StartsWith(every, StringComparison.Ordinal))
        {
            if (GoDuration.TryParse(spec[every.Length..].Trim(), out var delay))
            {
                // robfig rounds the delay down to whole seconds and runs at least every second.
                var seconds = Math.Max(1, (long)delay.TotalSeconds);
                return new CronSchedule(TimeSpan.FromSeconds(seconds));
            }

            error = $"failed to parse duration {spec}: time: invalid duration \"{spec[every.Length..].Trim()}\"";
            return null;
        }

        error = $"unrecognized descriptor: {spec}";
        return null;
    }

    private static bool ParseField(string field, int min, int max, string[]? names, int nameBase, out ulong bits, out bool star, ref string error)
    {
        bits = 0;
        star = false;
        foreach (var expression in field.Split(','))
        {
            if (!ParseRange(expression, min, max, names, nameBase, ref bits, ref star, ref error))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ParseRange(string expression, int min, int max, string[]? names, int nameBase, ref ulong bits, ref bool star, ref string error)
    {
        var rangeAndStep = expression.Split('/');
        if (rangeAndStep.Length > 2)
        {
            error = $"too many slashes: {expression}";
            return false;
        }

        var lowAndHigh = rangeAndStep[0].Split('-');
        var isStar = lowAndHigh[0] is "*" or "?";
        int start, end;
        if (isStar)
        {
            if (lowAndHigh.Length > 1)
            {
                error = $"too many hyphens: {expression}";
                return false;
            }

            start = min;
            end = max;
        }
        else
        {
            if (lowAndHigh.Length > 2)
            {
                error = $"too many hyphens: {expression}";
                return false;
            }

            if (!ParseValue(lowAndHigh[0], names, nameBase, out start, ref error))
            {
                return false;
            }

            end = start;
            if (lowAndHigh.Length == 2 && !ParseValue(lowAndHigh[1], names, nameBase, out end, ref error))
            {
                return false;
            }
        }

        var step = 1;
        if (rangeAndStep.Length == 2)
        {
            if (!ParseInt(rangeAndStep[1], out step, ref error))
            {
                return false;
            }

            // "N/step" means "N-max/step".
            if (!isStar && lowAndHigh.Length == 1)
            {
                end = max;
            }

            if (step > 1)
            {
                isStar = false;
            }
        }

        if (start < min)
        {
            error = $"beginning of range ({start}) below minimum ({min}): {expression}";
            return false;
        }

        if (end > max)
        {
            error = $"end of range ({end}) above maximum ({max}): {expression}";
            return false;
        }

        if (start > end)
        {
            error = $"beginning of range ({start}) beyond end of range ({end}): {expression}";
            return false;
        }

        if (step == 0)
        {
            error = $"step of range should be a positive number: {expression}";
            return false;
        }

        for (var value = start; value <= end; value += step)
        {
            bits |= 1UL << value;
        }

        star |= isStar;
        return true;
    }

    private static bool ParseValue(string text, string[]? names, int nameBase, out int value, ref string error)
    {
        if (names is not null)
        {
            var index = Array.IndexOf(names, text.ToLowerInvariant());
            if (index >= 0)
            {
                value = index + nameBase;
                return true;
            }
        }

        return ParseInt(text, out value, ref error);
    }

    private static bool ParseInt(string text, out int value, ref string error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        error = $"failed to parse int from {text}: strconv.Atoi: parsing \"{text}\": invalid syntax";
        return false;
    }
}
