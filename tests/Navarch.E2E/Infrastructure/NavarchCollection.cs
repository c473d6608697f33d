namespace Navarch.E2E.Infrastructure;

/// <summary>Every E2E class joins this collection, so the run shares one server and its tests run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class NavarchCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "navarch server";
}
