namespace Navarch.Client.Tests.Support;

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "api-server";
}
