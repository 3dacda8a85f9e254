# The static hotpod for amd64: the machine's own compiler, libraries from HOTPOD_STATIC_PREFIX.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER x86_64-linux-gnu-g++)
set(HOTPOD_TRIPLET x86_64-linux-gnu)
