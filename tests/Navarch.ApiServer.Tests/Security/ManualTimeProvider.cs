namespace Navarch.ApiServer.Tests.Security;

/// <summary>A clock the test sets; only wall-clock time is faked, which is all the certificate code reads.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
