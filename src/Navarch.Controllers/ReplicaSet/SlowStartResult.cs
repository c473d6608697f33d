namespace Navarch.Controllers.ReplicaSet;

/// <summary>What <see cref="SlowStartBatch.RunAsync"/> did: how many calls succeeded, and the first failure.</summary>
internal sealed record SlowStartResult(int Successes, Exception? Error);
