"""The project model: value types for what a sketch holds, and the one funnel that changes it."""
