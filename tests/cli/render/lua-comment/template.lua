-- {{x}}
return 1
