// The Router tests start in-process apps (WebApplicationFactory) whose host discovery is process-wide: classes that
// start apps at the same time can be handed each other's host. One class at a time keeps them apart.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
